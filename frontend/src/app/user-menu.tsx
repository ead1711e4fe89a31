// The username menu at the top right: Profile and Sign out. A disclosure (button + list),
// which keyboard and screen-reader users operate like any other button.
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "./router";

export function UserMenu({ username, showAdmin, onSignOut }: { username: string; showAdmin: boolean; onSignOut: () => void }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    function onPointer(event: PointerEvent) {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    }
    function onKey(event: KeyboardEvent) {
      if (event.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    }
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  return (
    <div className="user-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="user-menu-button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen(!open)}
      >
        <span className="avatar" aria-hidden="true">
          {username.slice(0, 1).toUpperCase()}
        </span>
        <span className="user-menu-name">{username}</span>
        <span aria-hidden="true">▾</span>
      </button>
      <ul id={menuId} className="user-menu-list" hidden={!open}>
        <li>
          <Link to="/profile" onClick={() => setOpen(false)}>
            Profile
          </Link>
        </li>
        {showAdmin && (
          <li>
            <Link to="/admin/users" onClick={() => setOpen(false)}>
              Users
            </Link>
          </li>
        )}
        <li>
          <button
            type="button"
            onClick={() => {
              setOpen(false);
              onSignOut();
            }}
          >
            Sign out
          </button>
        </li>
      </ul>
    </div>
  );
}
