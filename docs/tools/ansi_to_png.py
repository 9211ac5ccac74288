#!/usr/bin/env python3
"""Renders a terminal capture with colours (`tmux capture-pane -e -p`) to a PNG.

Used to make the README's image of the console from the real program:
    docs/tools/screenshot.sh assets/console.png
Needs Pillow (pip install pillow) and the DejaVu Sans Mono font (Debian: fonts-dejavu-core).
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
# Symbols the monospace face lacks are drawn with the proportional one.
FALLBACK = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FALLBACK_CHARS = set("ℹ⏳✗✓")
SIZE = 15
BACKGROUND = (30, 30, 36)
FOREGROUND = (220, 220, 220)
PALETTE = [
    (40, 42, 54), (229, 72, 77), (80, 200, 120), (230, 200, 90),
    (90, 150, 240), (200, 110, 220), (80, 200, 210), (220, 220, 220),
    (110, 110, 120), (255, 110, 110), (120, 230, 150), (255, 230, 120),
    (130, 180, 255), (230, 150, 255), (120, 230, 240), (255, 255, 255),
]


def xterm_color(n):
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return (level, level, level)


def parse(text):
    """Yields rows of (char, fg, bg, bold) cells."""
    rows = []
    fg, bg, bold, reverse = FOREGROUND, BACKGROUND, False, False
    for line in text.split("\n"):
        row = []
        for token in re.split(r"(\x1b\[[0-9;]*m)", line):
            if token.startswith("\x1b["):
                codes = [int(c) if c else 0 for c in token[2:-1].split(";")]
                i = 0
                while i < len(codes):
                    c = codes[i]
                    if c == 0:
                        fg, bg, bold, reverse = FOREGROUND, BACKGROUND, False, False
                    elif c == 1:
                        bold = True
                    elif c == 22:
                        bold = False
                    elif c == 7:
                        reverse = True
                    elif c == 27:
                        reverse = False
                    elif 30 <= c <= 37:
                        fg = PALETTE[c - 30]
                    elif 90 <= c <= 97:
                        fg = PALETTE[c - 90 + 8]
                    elif 40 <= c <= 47:
                        bg = PALETTE[c - 40]
                    elif 100 <= c <= 107:
                        bg = PALETTE[c - 100 + 8]
                    elif c == 39:
                        fg = FOREGROUND
                    elif c == 49:
                        bg = BACKGROUND
                    elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                        color = xterm_color(codes[i + 2])
                        fg, bg = (color, bg) if c == 38 else (fg, color)
                        i += 2
                    elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                        color = tuple(codes[i + 2:i + 5])
                        fg, bg = (color, bg) if c == 38 else (fg, color)
                        i += 4
                    i += 1
            else:
                for ch in token:
                    cell_fg, cell_bg = (bg, fg) if reverse else (fg, bg)
                    row.append((ch, cell_fg, cell_bg, bold))
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def render(rows, width, height, path):
    font, bold_font = ImageFont.truetype(FONT, SIZE), ImageFont.truetype(BOLD, SIZE)
    fallback = ImageFont.truetype(FALLBACK, SIZE)
    cell_w = round(font.getlength("M"))
    cell_h = SIZE + 4
    pad = 12
    image = Image.new("RGB", (width * cell_w + 2 * pad, height * cell_h + 2 * pad), BACKGROUND)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(rows[:height]):
        for x, (ch, fg, bg, bold) in enumerate(row[:width]):
            left, top = pad + x * cell_w, pad + y * cell_h
            if bg != BACKGROUND:
                draw.rectangle([left, top, left + cell_w, top + cell_h], fill=bg)
            if ch != " ":
                face = fallback if ch in FALLBACK_CHARS else (bold_font if bold else font)
                draw.text((left, top + 1), ch, font=face, fill=fg)
    image.save(path)


if __name__ == "__main__":
    capture, out, width, height = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(capture, encoding="utf-8") as handle:
        render(parse(handle.read()), width, height, out)
