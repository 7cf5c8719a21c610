namespace Diffusion.Cli.Tests;
