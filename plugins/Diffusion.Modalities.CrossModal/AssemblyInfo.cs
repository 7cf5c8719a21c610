// Cross-modal modalities: captioned images for text-to-image (Captions/, TextToImage/) and images as the condition of
// generated captions for image-to-text (ImageToText/). Both reuse the image plugin's datasets and metrics and the text
// plugin's tokenizers, which load beside this assembly in its own load context.
