'use strict';
// The graceful twin of reconnect.js: the client closes properly five times.
const reconnect = require('./reconnect');

exports.name = 'reconnect: 5 graceful closes';

exports.run = (options = {}) => reconnect.run({ ...options, graceful: true });
