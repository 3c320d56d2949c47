// In browsers tfjs picks its fastest backend itself (WebGPU, WebGL, then wasm or cpu, whichever
// the page has imported), so @pq/nn changes nothing there; see default_node.ts for Node.
export {};
