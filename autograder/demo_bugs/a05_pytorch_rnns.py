"""Realistic mistakes in notebook 05 (PyTorch recurrent layers), for the demo class."""

from autograder.demo_bugs import Bug

BUGS = [
    Bug(
        find="names = [name for name, _ in batch]",
        replace="names = sorted((name for name, _ in batch), key=len, reverse=True)  # longest first",
        breaks=("test_collate_names", "test_train_classifier"),
        why="sorts the names by length for packing but keeps the labels in the batch's order",
    ),
    Bug(
        find="""packed = pack_padded_sequence(self.embedding(tokens), lengths.cpu(), batch_first=True,
                                      enforce_sorted=False)
        _, h_n = self.rnn(packed)""",
        replace="_, h_n = self.rnn(self.embedding(tokens))",
        breaks=("test_NameClassifier", "test_train_classifier"),
        why="runs the GRU over the padded batch without packing: short names get the state after the "
            "padding (the classifier trained in the hidden test then stays far below 0.5 accuracy)",
    ),
    Bug(
        find="            optimizer.zero_grad()\n",
        replace="",
        breaks=("test_train_classifier",),
        why="forgets optimizer.zero_grad(): every step uses the sum of all gradients so far",
    ),
    Bug(
        find="window = torch.cat([window, new])[-len(history):]",
        replace="window = torch.cat([window, new])",
        breaks=("test_forecast",),
        why="appends the predictions without sliding the window: the model sees a longer and longer history",
    ),
]
