#!/usr/bin/env node
// Runs a TensorFlow graph with TensorFlow.js (CPU backend), the independent oracle of BuildConvert's TensorFlow
// converter tests. Usage: node run-graph.js request.json response.json
//
// request.json:
//   { "modelTopology": { "node": [...], "versions": {...}, "library": {...} },   GraphDef in protobuf-JSON form
//     "weightSpecs": [ { "name", "shape", "dtype" } ],                         one per Const node, by node name
//     "weightData": "<base64 of the weights, concatenated in weightSpecs order>",
//     "inputs": [ { "name": "x", "dtype": "float32"|"int32"|"bool"|"string", "shape": [..], "data": "<base64 LE>" |
//                   "strings": [..] } ],
//     "outputs": [ "node:0", ... ] }
// response.json:
//   { "outputs": [ { "name", "dtype", "shape", "data": "<base64 LE>" } ] }  or  { "error": "message" }
'use strict';
const fs = require('fs');
const tf = require('@tensorflow/tfjs');

function fromBase64(text) {
  const buf = Buffer.from(text || '', 'base64');
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

function toTensor(input) {
  const shape = input.shape;
  switch (input.dtype) {
    case 'float32': return tf.tensor(new Float32Array(fromBase64(input.data)), shape, 'float32');
    case 'int32': return tf.tensor(new Int32Array(fromBase64(input.data)), shape, 'int32');
    case 'bool': return tf.tensor(new Uint8Array(fromBase64(input.data)), shape, 'bool');
    case 'string': return tf.tensor(input.strings, shape, 'string');
    default: throw new Error(`input '${input.name}': dtype ${input.dtype} is not one TensorFlow.js has`);
  }
}

async function fromTensor(name, t) {
  const values = await t.data();
  let data;
  if (t.dtype === 'bool') {
    data = Buffer.from(Uint8Array.from(values, v => (v ? 1 : 0)));
  } else if (t.dtype === 'string') {
    return { name, dtype: t.dtype, shape: t.shape, strings: Array.from(values, v => Buffer.from(v).toString('utf8')) };
  } else {
    // The backing array's type can differ from the dtype (a cast may keep its input's array); write the dtype's layout.
    const typed = t.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    data = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  }
  return { name, dtype: t.dtype, shape: t.shape, data: data.toString('base64') };
}

async function main() {
  const [requestPath, responsePath] = process.argv.slice(2);
  if (!requestPath || !responsePath) {
    throw new Error('usage: node run-graph.js request.json response.json');
  }
  const request = JSON.parse(fs.readFileSync(requestPath, 'utf8'));
  let response;
  try {
    await tf.setBackend('cpu');
    await tf.ready();
    const model = await tf.loadGraphModel(tf.io.fromMemory({
      modelTopology: request.modelTopology,
      weightSpecs: request.weightSpecs,
      weightData: fromBase64(request.weightData),
      format: 'graph-model',
    }));
    const feeds = {};
    for (const input of request.inputs) {
      feeds[input.name] = toTensor(input);
    }
    let results = await model.executeAsync(feeds, request.outputs);
    if (!Array.isArray(results)) {
      results = [results];
    }
    const outputs = [];
    for (let i = 0; i < results.length; i++) {
      outputs.push(await fromTensor(request.outputs[i], results[i]));
    }
    response = { outputs };
  } catch (e) {
    response = { error: String(e && e.stack ? e.stack : e) };
  }
  fs.writeFileSync(responsePath, JSON.stringify(response));
}

main().catch(e => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
