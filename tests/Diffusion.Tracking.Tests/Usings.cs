namespace Diffusion.Tracking.Tests;
