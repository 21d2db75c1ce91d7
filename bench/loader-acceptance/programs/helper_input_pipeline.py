import input_pipeline
import jax
import train_utils

config = train_utils.get_config()


def main():
    ds = input_pipeline.load(config)
    print(jax.device_count(), ds)
