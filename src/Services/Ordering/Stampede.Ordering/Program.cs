using Stampede.Ordering;
using Stampede.ServiceDefaults;
using Stampede.ServiceDefaults.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("ordering");
builder.AddPostgres(typeof(OrderingService).Assembly);
builder.AddRedis();
builder.AddOrderingModule();

var app = builder.Build();
app.UseServiceDefaults();
app.MapServiceDefaults();
app.MapOrderingApi();
app.Run();
