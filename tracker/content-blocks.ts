/** Finding content blocks in the page and reading their name, piece and target. */

/** Selector of the elements Matomo's content tracking treats as content blocks. */
export const CONTENT_BLOCK_SELECTOR = '[data-track-content],.matomoTrackContent,.piwikTrackContent';

/** The name, piece and target of one content block, as sent in `c_n`, `c_p` and `c_t`. */
export interface ContentFacts {
  name: string;
  piece: string;
  target: string;
}

/** Returns the content blocks inside `node`, the node itself included when it is one. */
export function findContentBlocks(node: Element | Document): Element[] {
  const blocks = Array.from(node.querySelectorAll(CONTENT_BLOCK_SELECTOR));
  if (node instanceof Element && node.matches(CONTENT_BLOCK_SELECTOR)) blocks.unshift(node);
  return blocks;
}

/** Returns the content block that contains `element`, or null. */
export function findEnclosingContentBlock(element: Element): Element | null {
  return element.closest(CONTENT_BLOCK_SELECTOR);
}

/**
 * Reads a block's facts: `data-content-name`, `data-content-piece` and `data-content-target`
 * when set (on the block or an element inside it), else the source of the piece's media,
 * the link's href, and 'Unknown' for a name or piece that cannot be found.
 */
export function readContentFacts(block: Element): ContentFacts {
  const pieceElement = block.querySelector('[data-content-piece]') ?? block;
  const piece = attributeOf(block, 'data-content-piece') || attributeOf(pieceElement, 'data-content-piece') || mediaSource(pieceElement) || 'Unknown';
  const name = attributeOf(block, 'data-content-name') || (piece !== 'Unknown' && /^[a-z]+:\/\/|^\//i.test(piece) ? piece : '') || 'Unknown';
  const targetElement = block.querySelector('[data-content-target]');
  const target = attributeOf(block, 'data-content-target') || (targetElement ? attributeOf(targetElement, 'data-content-target') || linkOf(targetElement) : '') || linkOf(block);
  return { name, piece, target };
}

function attributeOf(element: Element, name: string): string {
  return (element.getAttribute(name) ?? '').trim();
}

function mediaSource(element: Element): string {
  const media = element.matches('img,video,audio,embed,object') ? element : element.querySelector('img,video,audio,embed,object');
  if (!media) return '';
  const source = (media as HTMLImageElement).currentSrc || media.getAttribute('src') || media.getAttribute('data') || '';
  return source;
}

function linkOf(element: Element): string {
  const link = element.matches('a[href],area[href]') ? element : element.querySelector('a[href],area[href]');
  return link ? (link as HTMLAnchorElement).href : '';
}
