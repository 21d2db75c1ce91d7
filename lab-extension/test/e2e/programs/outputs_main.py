"""Fits a line to noisy data and keeps what a researcher would: predictions,
plots and weights, under outputs/."""

import math
import os
import struct
import zlib

import numpy as np
from jaxlab import log


def _png(pixels):
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[y].astype(np.uint8).tobytes() for y in range(height))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def _accuracy_png(accuracy):
    width, height = 360, 200
    img = np.full((height, width, 3), 255, dtype=np.uint8)
    img[height - 20, 30:width - 10] = (80, 80, 80)
    img[10:height - 20, 30] = (80, 80, 80)
    for level in (0.25, 0.5, 0.75, 1.0):
        img[int(height - 20 - level * (height - 40)), 31:width - 10] = (225, 225, 225)
    xs = np.linspace(31, width - 11, len(accuracy))
    for i in range(len(accuracy) - 1):
        for t in np.linspace(0, 1, 12):
            x = int(xs[i] + t * (xs[i + 1] - xs[i]))
            a = accuracy[i] + t * (accuracy[i + 1] - accuracy[i])
            y = int(height - 20 - a * (height - 40))
            img[max(0, y - 1):y + 2, max(0, x - 1):x + 2] = (214, 39, 40)
    return _png(img)


def _loss_svg(losses):
    width, height = 360, 200
    top = max(losses)
    points = " ".join(
        f"{40 + i * (width - 50) / (len(losses) - 1):.1f},{height - 25 - (v / top) * (height - 45):.1f}"
        for i, v in enumerate(losses)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
        f'<rect width="{width}" height="{height}" fill="white"/>'
        f'<line x1="40" y1="{height - 25}" x2="{width - 10}" y2="{height - 25}" stroke="#555"/>'
        f'<line x1="40" y1="10" x2="40" y2="{height - 25}" stroke="#555"/>'
        f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="2"/>'
        f'<text x="{width / 2}" y="{height - 6}" font-size="11" text-anchor="middle" font-family="sans-serif">step</text>'
        f'<text x="12" y="{height / 2}" font-size="11" font-family="sans-serif" transform="rotate(-90 12 {height / 2})">loss</text>'
        f'<text x="{width - 12}" y="22" font-size="12" text-anchor="end" font-family="sans-serif">training loss</text>'
        "</svg>"
    )


def main(steps=200, rows=5000, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-3, 3, rows)
    y = 2.5 * x - 1.0 + rng.normal(0, 0.8, rows)
    w, b, lr = 0.0, 0.0, 0.004
    losses, accuracy = [], []
    for step in range(steps + 1):
        pred = w * x + b
        err = pred - y
        loss = float(np.mean(err ** 2))
        acc = float(np.mean(np.abs(err) < 1.0))
        if step % 10 == 0:
            losses.append(loss)
            accuracy.append(acc)
            log(step=step, loss=loss, accuracy=acc, total_steps=steps)
        if step % 50 == 0:
            print(f"step {step}: loss {loss:.4f}, accuracy {acc:.4f}", flush=True)
        w -= lr * float(np.mean(2 * err * x))
        b -= lr * float(np.mean(2 * err))
    os.makedirs("outputs/plots", exist_ok=True)
    labels = np.array(["low", "mid", "high"])[np.digitize(x, [-1.0, 1.0])]
    with open("outputs/predictions.csv", "w") as f:
        f.write("id,x,y_true,y_pred,abs_error,region\n")
        for i in range(rows):
            p = w * x[i] + b
            f.write(f"{i},{x[i]:.4f},{y[i]:.4f},{p:.4f},{abs(p - y[i]):.4f},{labels[i]}\n")
    with open("outputs/plots/loss.svg", "w") as f:
        f.write(_loss_svg(losses))
    with open("outputs/plots/accuracy.png", "wb") as f:
        f.write(_accuracy_png(accuracy))
    np.save("outputs/weights.npy", np.array([[w, b]] * 4) + rng.normal(0, 0.01, (4, 2)))
    print(f"Final loss: {losses[-1]:.4f}")
    print(f"Final slope: {w:.4f}")
    return {"loss": losses[-1], "slope": w, "intercept": b, "rmse": math.sqrt(losses[-1])}
