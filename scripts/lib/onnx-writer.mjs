/**
 * A small ONNX writer: just enough of the protobuf encoding of onnx.proto (ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto) to write float32 inference graphs.
 *
 * Used by the face-api converter (scripts/convert-faceapi.mjs) and by tests that generate models of
 * a known signature at test time. Field numbers are those of onnx/onnx.proto (IR version 8, which
 * pairs with opset 13–15). No dependency: protobuf wire format is varints, fixed-width numbers and
 * length-delimited bytes.
 */

/** TensorProto.DataType values used here. */
export const DataType = Object.freeze({ FLOAT: 1, INT32: 6, INT64: 7 });

/** AttributeProto.AttributeType values used here. */
const AttrType = Object.freeze({ FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 });

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;

/** Growable byte buffer writing protobuf wire format. */
class ProtoWriter {
  constructor() {
    /** @type {Uint8Array[]} */
    this.chunks = [];
    this.length = 0;
  }

  /** @param {Uint8Array} bytes */
  push(bytes) {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  /** Unsigned or signed 64-bit varint (negative numbers take ten bytes, as protobuf int64). @param {number | bigint} value */
  varint(value) {
    let v = BigInt.asUintN(64, BigInt(value));
    const out = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }

  /** @param {number} field @param {number} wire */
  tag(field, wire) {
    this.varint((field << 3) | wire);
  }

  /** @param {number} field @param {number | bigint} value */
  int(field, value) {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  /** @param {number} field @param {number} value */
  float(field, value) {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.push(b);
  }

  /** @param {number} field @param {Uint8Array} bytes */
  bytes(field, bytes) {
    this.tag(field, WIRE_LEN);
    this.varint(bytes.length);
    this.push(bytes);
  }

  /** @param {number} field @param {string} text */
  string(field, text) {
    this.bytes(field, new Uint8Array(Buffer.from(text, 'utf8')));
  }

  /** An embedded message. @param {number} field @param {(w: ProtoWriter) => void} write */
  message(field, write) {
    const inner = new ProtoWriter();
    write(inner);
    this.bytes(field, inner.finish());
  }

  /** @returns {Uint8Array} */
  finish() {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }
}

/**
 * @typedef {{ name: string, dims: number[], dataType?: number, data: Float32Array | Int32Array | BigInt64Array | number[] }} TensorSpec
 *   An initializer. `data` is row-major; a plain number array is written as float32 unless
 *   `dataType` says INT64/INT32.
 * @typedef {number | string | number[] | { floats: number[] } | TensorSpec} AttrValue
 *   Attribute value: an integer number → INT, a non-integer number → FLOAT, a string → STRING,
 *   an array of integers → INTS, `{floats}` → FLOATS, a tensor spec → TENSOR.
 *   Write `{ floats: [1] }` for a float that happens to be integral, or use {@link floatAttr}.
 * @typedef {{ op: string, inputs: string[], outputs: string[], name?: string, attrs?: Record<string, AttrValue | FloatAttr> }} NodeSpec
 * @typedef {{ name: string, dims: (number | string)[], elemType?: number }} ValueSpec
 *   A graph input or output; a string dimension is symbolic (e.g. the batch size `N`).
 * @typedef {{ name?: string, nodes: NodeSpec[], initializers?: TensorSpec[], inputs: ValueSpec[], outputs: ValueSpec[], opset?: number, producer?: string, docString?: string }} GraphSpec
 */

/** Marks a number as a FLOAT attribute even when it is integral. */
export class FloatAttr {
  /** @param {number} value */
  constructor(value) {
    this.value = value;
  }
}

/** @param {number} value @returns {FloatAttr} */
export function floatAttr(value) {
  return new FloatAttr(value);
}

/** @param {ProtoWriter} w @param {TensorSpec} t */
function writeTensor(w, t) {
  for (const d of t.dims) w.int(1, d);
  const dataType = t.dataType ?? (t.data instanceof BigInt64Array ? DataType.INT64 : t.data instanceof Int32Array ? DataType.INT32 : DataType.FLOAT);
  w.int(2, dataType);
  w.string(8, t.name);
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== count) throw new Error(`tensor ${t.name}: ${t.data.length} values for dims [${t.dims.join(',')}]`);
  // raw_data is little-endian, like every platform ORT runs on; written explicitly via DataView.
  let raw;
  if (dataType === DataType.FLOAT) {
    raw = new Uint8Array(count * 4);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < count; i++) dv.setFloat32(i * 4, Number(t.data[i]), true);
  } else if (dataType === DataType.INT64) {
    raw = new Uint8Array(count * 8);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < count; i++) dv.setBigInt64(i * 8, BigInt(t.data[i] ?? 0), true);
  } else if (dataType === DataType.INT32) {
    raw = new Uint8Array(count * 4);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < count; i++) dv.setInt32(i * 4, Number(t.data[i]), true);
  } else {
    throw new Error(`tensor ${t.name}: unsupported data type ${dataType}`);
  }
  w.bytes(9, raw);
}

/** @param {ProtoWriter} w @param {string} name @param {AttrValue | FloatAttr} value */
function writeAttribute(w, name, value) {
  w.string(1, name);
  if (value instanceof FloatAttr) {
    w.float(2, value.value);
    w.int(20, AttrType.FLOAT);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      w.int(3, value);
      w.int(20, AttrType.INT);
    } else {
      w.float(2, value);
      w.int(20, AttrType.FLOAT);
    }
  } else if (typeof value === 'string') {
    w.string(4, value);
    w.int(20, AttrType.STRING);
  } else if (Array.isArray(value)) {
    // onnx.proto is proto2: repeated scalars are written unpacked, one tag per value.
    for (const v of value) w.int(8, v);
    w.int(20, AttrType.INTS);
  } else if ('floats' in value) {
    for (const v of value.floats) w.float(7, v);
    w.int(20, AttrType.FLOATS);
  } else {
    w.message(5, (t) => writeTensor(t, value));
    w.int(20, AttrType.TENSOR);
  }
}

/** @param {ProtoWriter} w @param {ValueSpec} v */
function writeValueInfo(w, v) {
  w.string(1, v.name);
  // TypeProto { tensor_type(1): { elem_type(1), shape(2): { dim(1): { dim_value(1) | dim_param(2) } } } }
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType ?? DataType.FLOAT);
      tensor.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.int(1, d)));
      });
    }),
  );
}

/** @param {ProtoWriter} w @param {NodeSpec} n @param {number} index */
function writeNode(w, n, index) {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name ?? `${n.op}_${index}`);
  w.string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, (a) => writeAttribute(a, k, v));
}

/**
 * Serialises a graph into ONNX ModelProto bytes.
 * @param {GraphSpec} spec
 * @returns {Uint8Array}
 */
export function encodeModel(spec) {
  const w = new ProtoWriter();
  w.int(1, 8); // ir_version 8 (ONNX 1.10), valid for opset 13
  w.string(2, spec.producer ?? 'affectlens-onnx-writer');
  w.string(3, '1');
  if (spec.docString) w.string(6, spec.docString);
  w.message(7, (g) => {
    spec.nodes.forEach((n, i) => g.message(1, (nw) => writeNode(nw, n, i)));
    g.string(2, spec.name ?? 'graph');
    for (const t of spec.initializers ?? []) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of spec.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of spec.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  });
  // opset_import(8): default domain, version
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, spec.opset ?? 13);
  });
  return w.finish();
}
