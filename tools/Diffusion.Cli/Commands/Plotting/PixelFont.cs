namespace Diffusion.Cli.Commands.Plotting;

/// <summary>
/// A 5x7 pixel font for printable ASCII, drawn for the charts. Each glyph is 35 bits: seven rows of five,
/// top row in the highest bits, leftmost pixel the highest bit of its row. Other characters draw as '?'.
/// </summary>
internal static class PixelFont
{
    public const int Width = 5;
    public const int Height = 7;

    /// <summary>Glyphs of characters 32 (space) to 126 (~).</summary>
    private static readonly long[] Glyphs =
    [
        0x000000000, // space
        0x108421004, // !
        0x294000000, // double quote
        0x295F57D4A, // #
        0x11F4717C4, // $
        0x632222263, // %
        0x32544564D, // &
        0x108000000, // quote
        0x088842082, // (
        0x208210888, // )
        0x009575480, // *
        0x0084F9080, // +
        0x000003088, // ,
        0x0000F8000, // -
        0x00000018C, // .
        0x002222200, // /
        0x3A33AE62E, // 0
        0x11842108E, // 1
        0x3A211111F, // 2
        0x7C441062E, // 3
        0x08CA97C42, // 4
        0x7E1E0862E, // 5
        0x1910F462E, // 6
        0x7C2222108, // 7
        0x3A317462E, // 8
        0x3A317844C, // 9
        0x018C03180, // :
        0x018C03088, // ;
        0x088882082, // <
        0x001F07C00, // =
        0x208208888, // >
        0x3A2111004, // ?
        0x3A216D6AE, // @
        0x3A31FC631, // A
        0x7A31F463E, // B
        0x3A308422E, // C
        0x72518C65C, // D
        0x7E10F421F, // E
        0x7E10F4210, // F
        0x3A30BC62F, // G
        0x4631FC631, // H
        0x38842108E, // I
        0x1C4210A4C, // J
        0x4654C5251, // K
        0x42108421F, // L
        0x4775AC631, // M
        0x4639ACE31, // N
        0x3A318C62E, // O
        0x7A31F4210, // P
        0x3A318D64D, // Q
        0x7A31F5251, // R
        0x3E107043E, // S
        0x7C8421084, // T
        0x46318C62E, // U
        0x46318C544, // V
        0x4631AD6AA, // W
        0x462A22A31, // X
        0x462A21084, // Y
        0x7C222221F, // Z
        0x39084210E, // [
        0x020820820, // backslash
        0x38421084E, // ]
        0x115100000, // ^
        0x00000001F, // _
        0x208000000, // `
        0x000E0BE2F, // a
        0x4216CC63E, // b
        0x000E8422E, // c
        0x042D9C62F, // d
        0x000E8FE0E, // e
        0x1928E2108, // f
        0x01F18BC2E, // g
        0x4216CC631, // h
        0x100C2108E, // i
        0x080610A4C, // j
        0x4212A6292, // k
        0x30842108E, // l
        0x001AAD631, // m
        0x0016CC631, // n
        0x000E8C62E, // o
        0x001E8FA10, // p
        0x000D9BC21, // q
        0x0016CC210, // r
        0x000E8383E, // s
        0x211C42126, // t
        0x00118C66D, // u
        0x00118C544, // v
        0x00118D6AA, // w
        0x001151151, // x
        0x00118BC2E, // y
        0x001F1111F, // z
        0x088441082, // {
        0x108421084, // |
        0x208411088, // }
        0x0008A8800, // ~
    ];

    /// <summary>Whether pixel (<paramref name="x"/>, <paramref name="y"/>) of <paramref name="c"/>'s glyph is inked.</summary>
    public static bool Ink(char c, int x, int y)
    {
        var glyph = c is >= ' ' and <= '~' ? Glyphs[c - ' '] : Glyphs['?' - ' '];
        return ((glyph >> (((Height - 1 - y) * Width) + (Width - 1 - x))) & 1) != 0;
    }
}
