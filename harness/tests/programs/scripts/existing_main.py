import numpy as np

def make_data(n):
    return np.arange(n, dtype=np.float32)

data = make_data(5)

def main():
    print("sum", data.sum())
    return data.mean()

total = 0
for value in data:
    total += value
print("total", total)

if __name__ == "__main__":
    print("mean", main())
