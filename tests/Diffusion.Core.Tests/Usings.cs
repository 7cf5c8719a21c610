namespace Diffusion.Core.Tests;
