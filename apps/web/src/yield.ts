// Lets the page paint and handle input between training steps: a message-channel hop (not
// setTimeout, which browsers clamp to 4 ms once nested), and a frame at most every 50 ms.
let lastFrame = 0;

function macrotask(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

/** Yields to the event loop; at least every 50 ms also waits for the next frame, so the page repaints. */
export async function yieldToPage(): Promise<void> {
  const now = performance.now();
  if (now - lastFrame > 50 && typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') {
    lastFrame = now;
    await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
  }
  await macrotask();
}
