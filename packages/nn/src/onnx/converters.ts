// Registers every converter family (imported for their side effect).
import './activation.js';
import './shape.js';
import './pad.js';
import './conv.js';
import './linear.js';
import './pooling.js';
import './norm.js';
import './transformer.js';
import './rnn.js';
import './rnn_modules.js';
import './quantizer.js';
