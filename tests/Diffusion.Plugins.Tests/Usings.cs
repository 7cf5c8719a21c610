namespace Diffusion.Plugins.Tests;
