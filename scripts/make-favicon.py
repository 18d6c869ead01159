"""Draw ensemble/static/favicon.png and favicon.ico, the fallbacks of favicon.svg (the same
picture: three rings on the State's blue), with Pillow:

    .venv/bin/python scripts/make-favicon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "ensemble" / "static"
SCALE = 16  # drawn large, then reduced: smooth edges


def draw(size: int = 32) -> Image.Image:
    unit = size * SCALE / 32
    image = Image.new("RGBA", (round(32 * unit),) * 2, (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, 32 * unit - 1, 32 * unit - 1), radius=7 * unit, fill="#000091")
    for x, y, colour in ((12, 13, "#ffffff"), (20, 13, "#ffffff"), (16, 20, "#e1000f")):
        box = ((x - 6) * unit, (y - 6) * unit, (x + 6) * unit, (y + 6) * unit)
        pen.ellipse(box, outline=colour, width=round(2.5 * unit))
    return image.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    draw(32).save(STATIC / "favicon.png")
    draw(48).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
