using Stampede.Inventory;
using Stampede.ServiceDefaults;
using Stampede.ServiceDefaults.Persistence;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("inventory");
builder.AddPostgres(typeof(InventoryService).Assembly);
builder.AddInventoryModule();

var app = builder.Build();
app.UseServiceDefaults();
app.MapServiceDefaults();
app.MapInventoryApi();
app.Run();
