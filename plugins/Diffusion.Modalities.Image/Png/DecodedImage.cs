namespace Diffusion.Modalities.Image.Png;

/// <summary>A decoded image: 8 bits per sample, rows top to bottom, each pixel's <see cref="Channels"/> bytes interleaved.</summary>
/// <param name="Width">Pixels per row.</param>
/// <param name="Height">Rows.</param>
/// <param name="Channels">1 grey, 3 RGB, 4 RGBA (not premultiplied).</param>
/// <param name="Pixels">Width · Height · Channels bytes.</param>
internal sealed record DecodedImage(int Width, int Height, int Channels, byte[] Pixels);
