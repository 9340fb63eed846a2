-- Sample data for the embedded demo drill: a small orders service.
create table customers (
  id integer primary key,
  name text not null
);
create table orders (
  id integer primary key,
  customer_id integer not null references customers (id),
  total_cents integer not null check (total_cents >= 0),
  updated_at timestamptz not null default now()
);
create index orders_updated_at on orders (updated_at);
insert into customers select g, 'customer ' || g from generate_series(1, 200) g;
insert into orders
  select g, 1 + g % 200, 100 + g * 7, now() - (5000 - g) * interval '10 milliseconds'
  from generate_series(1, 5000) g;
