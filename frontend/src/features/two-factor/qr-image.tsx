// Shows the server's QR code SVG as an image: an <img> cannot run script, unlike inline SVG markup.
export function QrImage({ svg, account }: { svg: string; account: string }) {
  const src = `data:image/svg+xml;utf8,${encodeURIComponent(svg)}`;
  return <img className="qr" src={src} width={220} height={220} alt={`QR code to add ${account} to an authenticator app`} />;
}
