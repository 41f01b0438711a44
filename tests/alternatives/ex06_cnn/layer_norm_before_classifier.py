"""Correct, with a normalization layer a learner may add: LayerNormalization of the pooled features
before the classifier (a layer the grader does not compute itself: it checks the forward pass by
interventions on self.conv and self.classifier)."""
import keras


class SmallCNN(keras.Model):
    def __init__(self, num_classes=2, filters=8, **kwargs):
        super().__init__(**kwargs)
        self.conv = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")
        self.pool = keras.layers.MaxPooling2D(2)
        self.global_pool = keras.layers.GlobalAveragePooling2D()
        self.norm = keras.layers.LayerNormalization()
        self.classifier = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        features = self.global_pool(self.pool(self.conv(inputs)))
        return self.classifier(self.norm(features))
