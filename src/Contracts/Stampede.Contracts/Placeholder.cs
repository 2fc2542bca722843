namespace Stampede.Contracts;
