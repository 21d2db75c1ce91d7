# requires: keras
import os

os.environ["KERAS_BACKEND"] = "jax"

import keras
import numpy as np

model = keras.Sequential(
    [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)]
)
model.compile(optimizer="adam", loss="mse")
x = np.random.rand(64, 4)
y = x.sum(axis=1, keepdims=True)
history = model.fit(x, y, epochs=2, verbose=0)
print("loss", history.history["loss"][-1])
