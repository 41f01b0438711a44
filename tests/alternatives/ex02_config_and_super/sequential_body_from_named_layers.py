"""Correct, in another style: a `keras.Sequential` body built in __init__ from the named layers
(each hidden Dense followed by its own Dropout, the last one `self.dropout`), called from
call(); the named attributes stay bound as the contract asks."""
import keras


@keras.saving.register_keras_serializable(package="sequential_course")
class ConfigurableMLP(keras.Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = list(hidden_sizes)
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.hidden_layers = [keras.layers.Dense(size, activation="relu") for size in self.hidden_sizes]
        self.dropout = keras.layers.Dropout(dropout_rate)
        self.classifier = keras.layers.Dense(num_classes)
        self.body = keras.Sequential(self.hidden_layers + [self.dropout], name="body")

    def call(self, inputs, training=None):
        return self.classifier(self.body(inputs, training=training))

    def get_config(self):
        config = super().get_config()
        config.update(hidden_sizes=self.hidden_sizes, num_classes=self.num_classes,
                      dropout_rate=self.dropout_rate)
        return config
