// Registers every converter family (imported for their side effect).
import './activation.js';
import './shape.js';
import './quantizer.js';
