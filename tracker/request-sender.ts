/** Sends tracking requests: one at a time as a form POST, or several as one bulk JSON POST. */

/** Bodies longer than this go by XHR when beacons fail, because some servers cut long GET URLs. */
const MAX_IMAGE_URL_QUERY_LENGTH = 2000;

/** Sends one tracking request, given as a query string without `?`. */
export function sendSingle(trackerUrl: string, query: string, callback?: () => void): void {
  if (sendByBeacon(trackerUrl, query, 'application/x-www-form-urlencoded; charset=UTF-8')) {
    callback?.();
    return;
  }
  if (query.length > MAX_IMAGE_URL_QUERY_LENGTH) {
    sendByXhr(trackerUrl, query, 'application/x-www-form-urlencoded; charset=UTF-8', callback);
    return;
  }
  sendByImage(trackerUrl, query.replace(/(^|&)send_image=0(&|$)/, '$1send_image=1$2'), callback);
}

/** Sends several requests as Matomo's bulk body `{"requests":["?...", ...],"send_image":0}`. */
export function sendBulk(trackerUrl: string, queries: readonly string[], callback?: () => void): void {
  const body = JSON.stringify({ requests: queries.map((query) => `?${query}`), send_image: 0 });
  if (sendByBeacon(trackerUrl, body, 'text/plain; charset=UTF-8')) {
    callback?.();
    return;
  }
  sendByXhr(trackerUrl, body, 'application/json; charset=UTF-8', callback);
}

function sendByBeacon(url: string, body: string, contentType: string): boolean {
  if (typeof navigator !== 'object' || typeof navigator.sendBeacon !== 'function') return false;
  try {
    return navigator.sendBeacon(url, new Blob([body], { type: contentType }));
  } catch {
    return false;
  }
}

function sendByXhr(url: string, body: string, contentType: string, callback?: () => void): void {
  try {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url, true);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.onreadystatechange = () => {
      if (xhr.readyState === 4) callback?.();
    };
    xhr.send(body);
  } catch {
    callback?.();
  }
}

function sendByImage(url: string, query: string, callback?: () => void): void {
  const image = new Image(1, 1);
  image.onload = image.onerror = () => callback?.();
  image.src = `${url}${url.indexOf('?') < 0 ? '?' : '&'}${query}`;
}
