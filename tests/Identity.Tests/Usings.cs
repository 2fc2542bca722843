global using System.Net;
global using System.Net.Http.Json;
global using Shouldly;
global using Stampede.Identity.Tests.Infrastructure;
global using Xunit;
