using Stampede.Gateway;
using Stampede.ServiceDefaults;
using Stampede.ServiceDefaults.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("gateway");
builder.AddRedis();
builder.AddGatewayModule();

var app = builder.Build();
app.UseServiceDefaults();
app.UseGatewayEdge();
app.MapServiceDefaults();
app.MapGatewayApi();
app.Run();
