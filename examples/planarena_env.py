#!/usr/bin/env python3
"""planarena's simulator as a Gymnasium-style environment, over ``planarena env-server``.

    planarena env-server --port 8766
    python3 examples/planarena_env.py --url ws://127.0.0.1:8766 --scenario open-field --seed 3

    from planarena_env import PlanarenaEnv
    with PlanarenaEnv("ws://127.0.0.1:8766", scenario="open-field") as env:
        obs, info = env.reset(seed=3)
        while True:
            obs, reward, terminated, truncated, info = env.step(policy(obs))
            if terminated or truncated:
                break

Method names and return shapes are Gymnasium's (``reset(seed, options) -> (obs, info)``,
``step(action) -> (obs, reward, terminated, truncated, info)``, ``close()``), without depending
on gymnasium. ``obs`` is the flat float32 observation (a numpy array when numpy is installed,
else ``array('f')``), laid out as ``env.observation_layout`` says; ``info["observation"]`` holds
the structured fields (robot, goal, objects, lidar, t, step) and ``info["trajectoryHash"]`` the
determinism check: the same scenario, seed and actions give ``planarena run``'s hash.

Needs ``websockets`` and ``msgpack`` (Debian: python3-websockets python3-msgpack). Protocol:
docs/interop.md.
"""
import argparse
import asyncio
import json

import websockets

from planarena_wire import pack, read_vector, unpack


class PlanarenaError(RuntimeError):
    """The env server answered ``error {message}``."""


class PlanarenaEnv:
    """One env-server session: an independent simulator, one episode at a time."""

    def __init__(self, url="ws://127.0.0.1:8766", scenario=None, suite=None, timeout=60.0):
        self.url, self.scenario, self.suite, self.timeout = url, scenario, suite, timeout
        self._loop = asyncio.new_event_loop()
        self._ws = self._run(self._connect(url))
        self._seq = 0
        self.action_names = self.action_low = self.action_high = self.observation_layout = None
        self.task = None

    def reset(self, *, seed=None, options=None):
        """Starts an episode. ``options`` may name another ``scenario`` or ``suite``."""
        request = {}
        options = options or {}
        scenario, suite = options.get("scenario", self.scenario), options.get("suite", self.suite)
        if "scenario" in options or "suite" in options:
            scenario, suite = options.get("scenario"), options.get("suite")
        if scenario is not None:
            request["scenario"] = scenario
        elif suite is not None:
            request["suite"] = suite
        if seed is not None:
            request["seed"] = int(seed)
        reply = self._request("reset", request, "observation")
        info = reply["info"]
        self.task = info
        self.action_names, self.action_low, self.action_high = info["actionNames"], info["actionLow"], info["actionHigh"]
        self.observation_layout = info["observationLayout"]
        return self._obs(reply["observation"], info)

    def step(self, action):
        """Applies ``action`` (a sequence of floats in [-1, 1]) for one control period."""
        action = [float(a) for a in (action.tolist() if hasattr(action, "tolist") else action)]
        reply = self._request("step", {"action": action}, "step_result")
        obs, info = self._obs(reply["observation"], reply["info"])
        return obs, float(reply["reward"]), bool(reply["terminated"]), bool(reply["truncated"]), info

    def close(self):
        if self._ws is not None:
            self._run(self._ws.close())
            self._ws = None
            self._loop.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @staticmethod
    def _obs(observation, info):
        structured = {k: v for k, v in observation.items() if k != "flat"}
        return read_vector(observation["flat"]), dict(info, observation=structured)

    def _request(self, kind, payload, expect):
        seq = self._seq
        self._seq += 1
        self._run(self._ws.send(pack(kind, seq, payload)))
        msg = unpack(self._run(asyncio.wait_for(self._ws.recv(), self.timeout)))
        if msg["type"] == "error":
            raise PlanarenaError(msg["payload"].get("message", "error"))
        if msg["seq"] != seq or msg["type"] != expect:
            raise PlanarenaError("expected %r seq %d, got %r seq %d" % (expect, seq, msg["type"], msg["seq"]))
        return msg["payload"]

    @staticmethod
    async def _connect(url):
        # Made inside the private loop: websockets 10 binds a connection to the loop current at creation.
        return await websockets.connect(url, max_size=64 * 2**20, compression=None)

    def _run(self, coro):
        return self._loop.run_until_complete(coro)


def fixed_action(i, dim):
    """The fixed action list of planarena's determinism test (exact in any language)."""
    return [((i * 7 + k * 3) % 11) / 5 - 1 for k in range(dim)]


def main():
    parser = argparse.ArgumentParser(description="Run one episode with a fixed action list and print a JSON summary.")
    parser.add_argument("--url", default="ws://127.0.0.1:8766")
    parser.add_argument("--scenario", default="open-field")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with PlanarenaEnv(args.url, scenario=args.scenario) as env:
        obs, info = env.reset(seed=args.seed)
        total, steps, flat_len = 0.0, 0, len(obs)
        while True:
            obs, reward, terminated, truncated, info = env.step(fixed_action(steps, len(env.action_names)))
            total += reward
            steps += 1
            if terminated or truncated:
                break
    print(json.dumps({"robot": info["observation"]["robot"]["type"], "steps": steps, "return": total,
                      "terminated": terminated, "truncated": truncated, "success": info["success"],
                      "trajectoryHash": info["trajectoryHash"], "flatLength": flat_len}))


if __name__ == "__main__":
    main()
