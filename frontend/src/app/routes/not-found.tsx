// Any path the SPA does not know.
import { Page } from "../page";
import { Link } from "../router";

export function NotFoundRoute() {
  return (
    <Page title="Page not found" narrow>
      <p>
        There is nothing at this address. <Link to="/">Go to the start page</Link>.
      </p>
    </Page>
  );
}
