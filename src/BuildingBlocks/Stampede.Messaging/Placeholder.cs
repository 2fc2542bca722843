namespace Stampede.Messaging;
