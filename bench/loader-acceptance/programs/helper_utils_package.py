from absl import app
from utils import checkpoint, metrics


def main(argv):
    del argv
    print(metrics.summary(), checkpoint.latest())


if __name__ == "__main__":
    app.run(main)
