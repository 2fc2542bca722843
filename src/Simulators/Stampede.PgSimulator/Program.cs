using Stampede.PgSimulator;
using Stampede.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("pg-sim");
builder.AddPgSimulatorModule();

var app = builder.Build();
app.UseServiceDefaults();
app.MapServiceDefaults();
app.MapPgSimulatorApi();
app.Run();
