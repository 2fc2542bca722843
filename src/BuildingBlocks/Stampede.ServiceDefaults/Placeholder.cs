namespace Stampede.ServiceDefaults;
