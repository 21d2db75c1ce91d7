# requires: tensorflow-datasets
# needs: download
import jax.numpy as jnp
import tensorflow_datasets as tfds

ds = tfds.load("mnist", split="train", batch_size=128, as_supervised=True)


def main():
    for images, labels in tfds.as_numpy(ds.take(1)):
        print(jnp.asarray(images).shape, labels[:5])


if __name__ == "__main__":
    main()
