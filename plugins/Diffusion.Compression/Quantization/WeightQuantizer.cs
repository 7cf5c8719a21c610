namespace Diffusion.Compression.Quantization;

/// <summary>Symmetric weight quantization: int8 per output channel, int4 per group of input weights (packed two per byte).</summary>
internal static class WeightQuantizer
{
    private const double Tiny = 1e-12;

    /// <summary>
    /// int8 values (same shape as <paramref name="weight"/>), float32 scales [out] and the decoded weight q · scale
    /// (|error| ≤ scale / 2 per element).
    /// </summary>
    public static (Tensor Q, Tensor Scale, Tensor Decoded) Int8PerChannel(Tensor weight)
    {
        using var scope = NewDisposeScope();
        var rows = weight.detach().to_type(ScalarType.Float32).reshape(weight.shape[0], -1);
        var scale = rows.abs().amax([1]).clamp_min(Tiny) / 127.0;
        var levels = (rows / scale.unsqueeze(1)).round().clamp(-127, 127);
        var decoded = (levels * scale.unsqueeze(1)).reshape(weight.shape).to_type(weight.dtype);
        var q = levels.to_type(ScalarType.Int8).reshape(weight.shape);
        return (scope.MoveToOuter(q), scope.MoveToOuter(scale), scope.MoveToOuter(decoded));
    }

    /// <summary>
    /// int4 per group of <paramref name="groupSize"/> consecutive input weights of each output row (zero-padded to whole
    /// groups): packed uint8 [out, groups·groupSize/2] (low nibble first, value + 8), float32 scales [out, groups], and the
    /// shape, and the decoded weight (|error| ≤ scale / 2 per element).
    /// </summary>
    public static (Tensor Packed, Tensor Scale, Tensor Shape, Tensor Decoded) Int4PerGroup(Tensor weight, int groupSize)
    {
        if (groupSize < 2 || groupSize % 2 != 0) throw new ArgumentOutOfRangeException(nameof(groupSize), "group size must be even");
        using var scope = NewDisposeScope();
        long rowsCount = weight.shape[0];
        var rows = weight.detach().to_type(ScalarType.Float32).reshape(rowsCount, -1);
        long cols = rows.shape[1];
        long groups = (cols + groupSize - 1) / groupSize;
        long padded = groups * groupSize;
        if (padded > cols) rows = nn.functional.pad(rows, [0, padded - cols]);
        var grouped = rows.reshape(rowsCount, groups, groupSize);
        var scale = grouped.abs().amax([2]).clamp_min(Tiny) / 7.0;
        var levels = (grouped / scale.unsqueeze(-1)).round().clamp(-7, 7);
        var decoded = (levels * scale.unsqueeze(-1)).reshape(rowsCount, padded).narrow(1, 0, cols).reshape(weight.shape).to_type(weight.dtype);
        var q = levels.to_type(ScalarType.Int16) + 8;
        var pairs = q.reshape(rowsCount, padded / 2, 2);
        var packed = pairs.select(2, 0).bitwise_or(pairs.select(2, 1).bitwise_left_shift(4)).to_type(ScalarType.Byte);
        var shape = tensor(weight.shape, dtype: ScalarType.Int64);
        return (scope.MoveToOuter(packed), scope.MoveToOuter(scale), scope.MoveToOuter(shape), scope.MoveToOuter(decoded));
    }
}
