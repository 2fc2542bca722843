namespace Stampede.Testing;
