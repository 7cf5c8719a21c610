using Diffusion.Abstractions.Denoisers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Diffusion.Denoisers.UNet2D;

/// <summary>The network <see cref="UNet2DDenoiser"/> builds.</summary>
internal sealed class UNet2DNetwork : DenoiserModule
{
    private readonly int levels;
    private readonly int resBlocks;
    private readonly int embedInputDim;
    private readonly int inChannels;
    private readonly int extraInChannels;
    private readonly int numClasses;

    private readonly Conv2d conv_in;
    private readonly Sequential time_mlp;
    private readonly Embedding? class_embedding;
    private readonly ModuleList<UNetBlock> down_blocks = new();
    private readonly ModuleList<Conv2d> downsamplers = new();
    private readonly UNetBlock mid_block1;
    private readonly ResidualBlock mid_block2;
    private readonly ModuleList<UNetBlock> up_blocks = new();
    private readonly ModuleList<Upsample> upsamplers = new();
    private readonly GroupNorm norm_out;
    private readonly Conv2d conv_out;

    /// <param name="options">Validated options.</param>
    /// <param name="channels">Image channels C.</param>
    /// <param name="height">Image height, used to decide where attention goes.</param>
    /// <param name="numClasses">Class count for a class embedding, 0 for none.</param>
    public UNet2DNetwork(UNet2DOptions options, int channels, int height, int numClasses) : base("unet2d")
    {
        levels = options.ChannelMults.Length;
        resBlocks = options.ResBlocks;
        embedInputDim = options.BaseChannels;
        inChannels = channels;
        extraInChannels = options.ExtraInChannels;
        this.numClasses = numClasses;
        int groups = options.Groups;
        int heads = options.NumHeads;
        long embedDim = 4L * options.BaseChannels;
        var attentionAt = new HashSet<int>(options.AttentionResolutions);

        time_mlp = nn.Sequential(nn.Linear(embedInputDim, embedDim), nn.SiLU(), nn.Linear(embedDim, embedDim));
        if (numClasses > 0)
            class_embedding = nn.Embedding(numClasses + 1, embedDim); // index numClasses = "no class"

        conv_in = nn.Conv2d(channels + extraInChannels, options.BaseChannels, 3, padding: 1);

        var skipChannels = new Stack<long>();
        long current = options.BaseChannels;
        skipChannels.Push(current);
        int size = height;
        var sizes = new int[levels];
        for (int level = 0; level < levels; level++)
        {
            sizes[level] = size;
            long outChannels = (long)options.BaseChannels * options.ChannelMults[level];
            for (int r = 0; r < resBlocks; r++)
            {
                down_blocks.Add(Block(current, outChannels, attentionAt.Contains(size)));
                current = outChannels;
                skipChannels.Push(current);
            }
            if (level < levels - 1)
            {
                downsamplers.Add(nn.Conv2d(current, current, 3, stride: 2, padding: 1));
                skipChannels.Push(current);
                size = (size + 1) / 2;
            }
        }

        mid_block1 = Block(current, current, attention: true);
        mid_block2 = new ResidualBlock(current, current, embedDim, groups, options.Dropout);

        for (int level = levels - 1; level >= 0; level--)
        {
            long outChannels = (long)options.BaseChannels * options.ChannelMults[level];
            for (int r = 0; r < resBlocks + 1; r++)
            {
                up_blocks.Add(Block(current + skipChannels.Pop(), outChannels, attentionAt.Contains(sizes[level])));
                current = outChannels;
            }
            if (level > 0) upsamplers.Add(new Upsample(current));
        }

        norm_out = Normalization.Group(groups, current);
        conv_out = nn.Conv2d(current, channels, 3, padding: 1);
        RegisterComponents();

        UNetBlock Block(long cin, long cout, bool attention) => new(
            new ResidualBlock(cin, cout, embedDim, groups, options.Dropout),
            attention ? new AttentionBlock(cout, heads, groups) : null);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, Tensor t, Conditioning? conditioning)
    {
        var embedding = time_mlp.forward(TimestepEmbedding.Sinusoidal(t, embedInputDim));
        if (class_embedding is not null)
            embedding = embedding + class_embedding.forward(ClassIndices(x, conditioning?.ClassLabels));

        var h = conv_in.forward(WithConcat(x, conditioning?.Concat));
        var skips = new Stack<Tensor>();
        skips.Push(h);
        for (int level = 0, block = 0; level < levels; level++)
        {
            for (int r = 0; r < resBlocks; r++, block++)
            {
                h = down_blocks[block].forward(h, embedding);
                skips.Push(h);
            }
            if (level < levels - 1)
            {
                h = downsamplers[level].forward(h);
                skips.Push(h);
            }
        }

        h = mid_block2.forward(mid_block1.forward(h, embedding), embedding);

        for (int level = levels - 1, block = 0, up = 0; level >= 0; level--)
        {
            for (int r = 0; r < resBlocks + 1; r++, block++)
                h = up_blocks[block].forward(cat([h, skips.Pop()], dim: 1), embedding);
            if (level > 0)
                h = upsamplers[up++].forward(h, skips.Peek());
        }

        return conv_out.forward(nn.functional.silu(norm_out.forward(h)));
    }

    /// <summary>The class labels to embed: the given ones, or "no class" for every row when none are given.</summary>
    private Tensor ClassIndices(Tensor x, Tensor? labels)
    {
        if (labels is null)
            return full(x.shape[0], numClasses, dtype: ScalarType.Int64, device: x.device);
        if (labels.shape.Length != 1 || labels.shape[0] != x.shape[0])
            throw new ArgumentException($"class labels must have shape [{x.shape[0]}] (one per batch row), got [{string.Join(", ", labels.shape)}]");
        return labels.to(ScalarType.Int64, x.device);
    }

    private Tensor WithConcat(Tensor x, Tensor? concat)
    {
        if (extraInChannels == 0)
        {
            if (concat is not null)
                throw new ArgumentException("the conditioning has concat channels, but unet2d was built with extra_in_channels: 0; set extra_in_channels to their count");
            return x;
        }
        if (concat is null)
            throw new ArgumentException($"unet2d was built with extra_in_channels: {extraInChannels}, but the conditioning has no concat channels");
        if (concat.dim() != 4 || concat.shape[1] != extraInChannels || concat.shape[2] != x.shape[2] || concat.shape[3] != x.shape[3])
            throw new ArgumentException(
                $"concat conditioning must have shape [B, {extraInChannels}, {x.shape[2]}, {x.shape[3]}], got [{string.Join(", ", concat.shape)}]");
        if (x.shape[1] != inChannels)
            throw new ArgumentException($"unet2d expects {inChannels} input channels, got {x.shape[1]}");
        return cat([x, concat.to(x.dtype, x.device)], dim: 1);
    }
}
