#!/usr/bin/env python3
"""Plots a burst's time to accept as a cumulative curve (PNG), from `chatstart burst --output json`.
    benches/plot_accept.py target/bench/accept.jsonl docs/burst-accept.png
Needs Pillow and the DejaVu fonts (as docs/tools/ansi_to_png.py)."""
import json
import sys

from PIL import Image, ImageDraw, ImageFont

lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
chats = [l["chat"] for l in lines if l.get("type") == "chat"]
summary = next(l["summary"] for l in lines if l.get("type") == "summary")
times = sorted(c["time_to_accept_ms"] for c in chats if c.get("time_to_accept_ms") is not None)
if not times:
    sys.exit("no accepted chat in the burst")

W, H, L, R, T, B = 760, 380, 70, 30, 50, 60
font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 13)
image = Image.new("RGB", (W, H), "white")
draw = ImageDraw.Draw(image)
top = max(times) * 1.05
x = lambda ms: L + (W - L - R) * ms / top
y = lambda share: H - B - (H - T - B) * share
draw.rectangle([L, T, W - R, H - B], outline=(120, 120, 120))
for i in range(6):
    ms = top * i / 5
    draw.line([x(ms), H - B, x(ms), H - B + 5], fill=(120, 120, 120))
    draw.text((x(ms) - 15, H - B + 8), f"{ms:.0f}", fill="black", font=font)
for share in (0, 0.25, 0.5, 0.75, 1):
    draw.line([L - 5, y(share), L, y(share)], fill=(120, 120, 120))
    draw.line([L, y(share), W - R, y(share)], fill=(235, 235, 235))
    draw.text((L - 42, y(share) - 7), f"{share:.0%}", fill="black", font=font)
points = [(x(0), y(0))]
for i, ms in enumerate(times):
    points += [(x(ms), y(i / len(times))), (x(ms), y((i + 1) / len(times)))]
draw.line(points, fill=(40, 110, 200), width=2)
p = summary["accept_ms"]
title = (f"time to accept, {summary['accepted']} of {summary['requested']} chats "
         f"(min {p[0]} · median {p[1]} · p95 {p[2]} · max {p[3]} ms)")
draw.text((L, 18), title, fill="black", font=font)
draw.text(((W - R + L) / 2 - 60, H - 25), "milliseconds after the chat was created", fill="black", font=font)
image.save(sys.argv[2])
print(f"wrote {sys.argv[2]}")
