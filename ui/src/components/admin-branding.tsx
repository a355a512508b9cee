/** Admin page of the tenant's branding: product name, accent colour, logo and favicon. */
import { useState } from 'preact/hooks';
import { saveBranding, type Branding, type BrandingChange, type BrandingImageUpload } from '../branding';

/** Props of the branding page; `onSaved` applies the new branding to the page at once. */
export interface AdminBrandingProps {
  branding: Branding;
  sessionToken: string;
  onSaved(branding: Branding): void;
}

/** Largest image the server accepts, in bytes; checked here too so the user learns it before uploading. */
const MAX_IMAGE_BYTES = 256 * 1024;

/** Reads a chosen file as an upload, or throws an Error with the reason it cannot be one. */
async function readImage(file: File): Promise<BrandingImageUpload> {
  const type = file.type === 'image/png' || file.type === 'image/svg+xml' ? file.type : null;
  if (!type) throw new Error(`The file '${file.name}' is not a PNG or SVG image.`);
  if (file.size > MAX_IMAGE_BYTES) throw new Error(`The file '${file.name}' has ${file.size} bytes, more than the ${MAX_IMAGE_BYTES} allowed.`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return { type, data: btoa(binary) };
}

/** Edits the branding that every page of this tenant's host shows, including the sign-in page. */
export function AdminBranding({ branding, sessionToken, onSaved }: AdminBrandingProps) {
  const [productName, setProductName] = useState(branding.productName);
  const [accentColor, setAccentColor] = useState(branding.accentColor);
  const [logo, setLogo] = useState<File | null>(null);
  const [favicon, setFavicon] = useState<File | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const submit = async (event: Event, extra: Partial<BrandingChange> = {}) => {
    event.preventDefault();
    setMessage(null);
    try {
      const change: BrandingChange = { productName: productName.trim(), accentColor, ...extra };
      if (logo) change.logo = await readImage(logo);
      if (favicon) change.favicon = await readImage(favicon);
      onSaved(await saveBranding(change, sessionToken));
      setMessage({ error: false, text: 'Branding saved.' });
    } catch (error) {
      setMessage({ error: true, text: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <section class="panel admin" aria-labelledby="admin-branding-title">
      <h2 id="admin-branding-title">Branding</h2>
      <p>The name, colour, logo and favicon show on every page of this host, including the sign-in page, and on no other tenant.</p>
      {message && <p class={message.error ? 'notice error' : 'notice'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
      <form class="admin-form" aria-label="Branding" onSubmit={(event) => void submit(event)}>
        <label class="field"><span>Product name</span><input name="productName" required maxLength={60} value={productName} onInput={(event) => setProductName(event.currentTarget.value)} /></label>
        <label class="field inline"><span>Accent colour</span><input name="accentColor" type="color" value={accentColor} onInput={(event) => setAccentColor(event.currentTarget.value)} /></label>
        <label class="field">
          <span>Logo (PNG or SVG, at most 256 KiB)</span>
          <input name="logo" type="file" accept="image/png,image/svg+xml" onChange={(event) => setLogo(event.currentTarget.files?.[0] ?? null)} />
        </label>
        {branding.logoUrl && <p class="current-logo"><img class="logo" src={branding.logoUrl} alt="Current logo" /></p>}
        <label class="field">
          <span>Favicon (PNG or SVG, at most 256 KiB)</span>
          <input name="favicon" type="file" accept="image/png,image/svg+xml" onChange={(event) => setFavicon(event.currentTarget.files?.[0] ?? null)} />
        </label>
        <div class="actions">
          <button type="submit" class="primary">Save branding</button>
          {branding.logoUrl && <button type="button" onClick={(event) => void submit(event, { removeLogo: true })}>Remove logo</button>}
          {branding.faviconUrl && <button type="button" onClick={(event) => void submit(event, { removeFavicon: true })}>Remove favicon</button>}
        </div>
      </form>
    </section>
  );
}
