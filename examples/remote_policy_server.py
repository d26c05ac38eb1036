#!/usr/bin/env python3
"""A reference policy server for planarena's remote planners (protocol v1, docs/interop.md).

    python3 examples/remote_policy_server.py --port 8000
    planarena run --suite smoke --planners remote --remote-url ws://127.0.0.1:8000

planarena connects (one WebSocket per run worker) and sends, per episode:
``episode_start`` (answered by ``ready``), one ``observation`` per control step (answered by
``action {action, info}``) and ``episode_end`` (answered by ``ack``). Replace ``act`` with your
policy: a PyTorch or JAX model reads ``obs["flat"]`` (laid out as ``task["observationLayout"]``
says) or the structured fields ``robot``, ``goal``, ``objects``, ``lidar``.

The policy here drives to the goal with each robot type: diffdrive turns and drives, the pusher
gets behind the object and pushes it, the arm solves its inverse kinematics. It needs only
``websockets`` and ``msgpack`` (Debian: python3-websockets python3-msgpack).
"""
import argparse
import asyncio
import math

import websockets

from planarena_wire import pack, read_vector, unpack

# Arm geometry (sim/robots/arm.ts): shoulder above the base, link lengths, joint speed limits.
SHOULDER_ABOVE_BASE, UPPER, FORE = 0.15, 0.40, 0.35
JOINT_SPEED = (1.5, 1.5, 2.0)


def clamp(v, lo=-1.0, hi=1.0):
    return min(hi, max(lo, v))


def act(task, obs):
    """The action for one observation. ``task`` is the episode_start payload."""
    flat = read_vector(obs["flat"])
    seg = {s["name"]: s for s in task["observationLayout"]}
    g = seg["goal"]["offset"]
    gx, gy, dist = flat[g], flat[g + 1], flat[g + 3] * 5  # goal in the robot frame (/5 m)
    if task["robot"] == "diffdrive":
        err = math.atan2(gy, gx)
        v = 0.0 if abs(err) > 0.6 else clamp(dist * 1.5, 0, 1) * math.cos(err)
        return [clamp(v - 1.2 * err), clamp(v + 1.2 * err)]
    if task["robot"] == "pusher":
        p = seg["push"]["offset"]
        tx, ty = gx, gy
        if flat[p] == 1:  # push task: get behind the object as seen from the goal, then push
            ox, oy, dx, dy = (flat[p + k] * 5 for k in (1, 2, 3, 4))
            n = math.hypot(dx, dy) or 1.0
            bx, by = ox - 0.45 * dx / n, oy - 0.45 * dy / n
            aligned = (ox * dx + oy * dy) / ((math.hypot(ox, oy) * n) or 1.0) > 0.95
            tx, ty = (dx, dy) if math.hypot(bx, by) < 0.12 or aligned else (bx / 5, by / 5)
        n = math.hypot(tx, ty) or 1.0
        speed = clamp(n * 10, 0, 1)
        return [speed * tx / n, speed * ty / n]
    # arm: closed-form two-link inverse kinematics (elbow up), P-control on the joints
    pose, joints, goal = obs["robot"]["pose"], obs["robot"]["joints"]["pos"], obs["goal"]["position"]
    dx, dy = goal[0] - pose["x"], goal[1] - pose["y"]
    r, h = math.hypot(dx, dy), goal[2] - (pose["z"] + SHOULDER_ABOVE_BASE)
    c2 = clamp((r * r + h * h - UPPER * UPPER - FORE * FORE) / (2 * UPPER * FORE))
    a2 = -math.acos(c2)
    a1 = math.atan2(h, r) - math.atan2(FORE * math.sin(a2), UPPER + FORE * math.cos(a2))
    yaw = math.atan2(dy, dx) - pose["yaw"]
    yaw = math.atan2(math.sin(yaw), math.cos(yaw))
    target = (yaw, -a1, -a2)
    return [clamp(4 * (q - joints[i]) / JOINT_SPEED[i]) for i, q in enumerate(target)]


async def serve_connection(ws, path=None):
    """One planarena worker: requests one at a time, each answered with its seq."""
    try:
        await answer_requests(ws)
    except websockets.ConnectionClosed:
        pass  # planarena closes the connection after a failed episode and reconnects


async def answer_requests(ws):
    task = None
    async for frame in ws:
        try:
            msg = unpack(frame)
        except Exception as e:  # a broken frame: say so; planarena ends the episode
            await ws.send(pack("error", -1, {"message": str(e)}))
            continue
        kind, seq, payload = msg["type"], msg["seq"], msg["payload"]
        try:
            if kind == "episode_start":
                task = payload
                await ws.send(pack("ready", seq, {}))
            elif kind == "observation":
                action = act(task, payload)
                await ws.send(pack("action", seq, {"action": action, "info": {"note": "python go-to-goal (%s)" % task["robot"]}}))
            elif kind == "episode_end":
                await ws.send(pack("ack", seq, {}))
            else:
                await ws.send(pack("error", seq, {"message": "unknown message type %r" % kind}))
        except Exception as e:  # the policy failed: planarena records planner_error with this message
            await ws.send(pack("error", seq, {"message": "%s: %s" % (type(e).__name__, e)}))


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port (printed)")
    args = parser.parse_args()
    async with websockets.serve(serve_connection, args.host, args.port, max_size=16 * 2**20, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        print("listening on ws://%s:%d" % (args.host, port), flush=True)
        await asyncio.Future()  # until killed


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
