// Every test class starts the inventory service, whose queues are named after the service
// ("inventory.ordering.order-placed.v1") whatever the exchange: two hosts at once would take
// each other's messages. Classes therefore run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
