"""Our own Chinese NER model: features, BiLSTM-CRF, training and inference."""
