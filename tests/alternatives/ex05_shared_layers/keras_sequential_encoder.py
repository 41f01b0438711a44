"""Correct, in another style: `import keras`, super(Cls, self), a Sequential encoder of two
Dense layers, keras.ops for the distance, and the pair read by index."""
import keras


class SiameseNet(keras.Model):
    def __init__(self, embedding_dim=16, **kwargs):
        super(SiameseNet, self).__init__(**kwargs)
        self.encoder = keras.Sequential([
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(units=embedding_dim),
        ])
        self.head = keras.layers.Dense(units=1, activation=keras.activations.sigmoid)

    def embed(self, x):
        return self.encoder(x)

    def distance(self, a, b):
        return keras.ops.abs(keras.ops.subtract(self.embed(a), self.embed(b)))

    def call(self, inputs, training=None):
        return self.head(self.distance(inputs[0], inputs[1]))
