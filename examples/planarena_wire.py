"""planarena interop protocol v1: the wire format (docs/interop.md).

Every message is one binary WebSocket frame holding a MessagePack map
``{type, seq, timestamp, payload}``. ``seq`` counts up from 0 per connection on the
requesting side; a reply carries the ``seq`` of the message it answers. Vectors are
MessagePack arrays of numbers or msgpack-numpy maps
``{"__ndarray__": True, "data": <bytes>, "dtype": "<f4" | "<f8", "shape": [n]}``.

Needs only ``msgpack`` (Debian: python3-msgpack). numpy is used when installed, never required.
"""
import array
import struct
import sys
import time

import msgpack

try:  # optional
    import numpy as np
except ImportError:  # pragma: no cover - depends on the machine
    np = None

if sys.byteorder != "little":  # array('f') below is native-endian; the wire is little-endian
    raise RuntimeError("planarena_wire supports little-endian machines only")


def pack(msg_type, seq, payload):
    """One message as the bytes of one binary frame."""
    return msgpack.packb({"type": msg_type, "seq": seq, "timestamp": time.time(), "payload": payload}, use_bin_type=True)


def unpack(frame):
    """The envelope of one frame, as a dict with type, seq, timestamp and payload."""
    if isinstance(frame, str):
        raise ValueError("got a text frame; protocol v1 sends binary MessagePack frames")
    msg = msgpack.unpackb(frame, raw=False)
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str) or not isinstance(msg.get("seq"), int):
        raise ValueError("frame is not a protocol v1 message {type, seq, timestamp, payload}")
    if msg.get("payload") is None:
        msg["payload"] = {}
    return msg


def read_vector(value):
    """A vector sent as a list of numbers or an ndarray map, as a numpy float array or a list."""
    if isinstance(value, dict) and value.get("__ndarray__"):
        dtype, data, shape = value["dtype"], value["data"], value["shape"]
        if dtype not in ("<f4", "<f8") or len(shape) != 1:
            raise ValueError("unsupported ndarray %s %r" % (dtype, shape))
        if np is not None:
            return np.frombuffer(data, dtype=dtype).copy()
        return array.array("f" if dtype == "<f4" else "d", data)
    return [float(x) for x in value]


def f64_ndarray(values):
    """A vector as a ``<f8`` ndarray map (what numpy's msgpack-numpy would send)."""
    values = [float(v) for v in values]
    return {"__ndarray__": True, "data": struct.pack("<%dd" % len(values), *values), "dtype": "<f8", "shape": [len(values)]}
