namespace Diffusion.Modalities.Image;

/// <summary>Which image dataset <see cref="ImageModality"/> loads.</summary>
public enum ImageDataset
{
    /// <summary>Built-in procedural 1-channel images of circles, squares and triangles; needs no files.</summary>
    Shapes,
    /// <summary>Fashion-MNIST (Xiao et al. 2017) from IDX files on disk.</summary>
    [OptionName("fashion-mnist")]
    FashionMnist,
    /// <summary>PNG/JPEG files under a folder, one sub-folder per class (or none, unlabelled).</summary>
    [OptionName("image-folder")]
    ImageFolder,
}
