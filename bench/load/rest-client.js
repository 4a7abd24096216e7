// One execution over BoxLite's REST API v1 the way a client runs it: POST
// .../exec, then the WebSocket attach, reading output frames until the exit
// frame. Returns the stdout bytes received (the channel byte not counted) and
// the first few bytes as text.
'use strict';
const http = require('node:http');
const WebSocket = require('ws');

function postExec(port, boxId, agent, { command, args }) {
  const body = JSON.stringify({ command, args });
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: `/v1/boxes/${boxId}/exec`, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(text).execution_id)
        : reject(new Error(`POST exec answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function attach(port, boxId, execId) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/boxes/${boxId}/executions/${execId}/attach`, { perMessageDeflate: false });
    let bytes = 0;
    let head = '';
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        if (data[0] === 0x01) {
          bytes += data.length - 1;
          if (head.length < 16) head += data.toString('utf8', 1, Math.min(data.length, 17));
        }
        return;
      }
      const frame = JSON.parse(data.toString());
      if (frame.type === 'exit') {
        ws.terminate(); // what the official client does: it stops at the exit frame
        if (frame.exit_code !== 0) reject(new Error(`exit code ${frame.exit_code}`));
        else resolve({ bytes, head });
      } else if (frame.type === 'error') {
        ws.terminate();
        reject(new Error(`error frame: ${frame.message}`));
      }
    });
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) => reject(new Error(`attach refused: ${res.statusCode}`)));
  });
}

async function restExec(port, boxId, agent, command) {
  const execId = await postExec(port, boxId, agent, command);
  return attach(port, boxId, execId);
}

module.exports = { restExec };
