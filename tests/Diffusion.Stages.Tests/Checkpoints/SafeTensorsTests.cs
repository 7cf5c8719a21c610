using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Diffusion.Abstractions.Checkpoints;
using static TorchSharp.torch;

namespace Diffusion.Stages.Tests.Checkpoints;

public class SafeTensorsTests
{
    [Fact]
    public void RoundTripsTensorsOfSeveralTypesAndMetadata()
    {
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "w.safetensors");
        using var a = arange(12, dtype: ScalarType.Float32).reshape(3, 4);
        using var b = tensor(new long[] { -5, 7 });
        using var c = tensor(new double[] { Math.PI });

        SafeTensors.Write(path, [new("layer.weight", a), new("steps", b), new("pi", c)], new Dictionary<string, string> { ["format"] = "test" });
        var (tensors, metadata) = SafeTensors.Read(path);

        Assert.Equal("test", metadata["format"]);
        Assert.Equal(a.data<float>().ToArray(), tensors["layer.weight"].data<float>().ToArray());
        Assert.Equal(new long[] { 3, 4 }, tensors["layer.weight"].shape);
        Assert.Equal(new long[] { -5, 7 }, tensors["steps"].data<long>().ToArray());
        Assert.Equal(Math.PI, tensors["pi"].item<double>());
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void WritesTheLayoutPythonSafetensorsExpects()
    {
        // 8-byte LE header length, JSON header with dtype/shape/data_offsets, raw little-endian data after it.
        using var temp = new TempFolder();
        string path = Path.Combine(temp.Path, "w.safetensors");
        using var x = tensor(new float[] { 1.5f, -2f });
        SafeTensors.Write(path, [new("x", x)]);

        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd());
        var entry = header.RootElement.GetProperty("x");
        Assert.Equal("F32", entry.GetProperty("dtype").GetString());
        Assert.Equal([2], entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0, 8], entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1.5f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(8 + headerLength)));
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(12 + headerLength)));
    }

    [Fact]
    public void ACorruptFileGivesAnErrorNamingIt()
    {
        using var temp = new TempFolder();
        string path = temp.File("bad.safetensors", "\u0010\0\0\0\0\0\0\0{not json at all");

        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));
        Assert.Contains("bad.safetensors", error.Message);
    }
}
