import { loadStripe } from '@stripe/stripe-js';

const config = {
  stripeKey: 'pk_live_51Nq8cKJx2Zr0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefGHIJKLmnopQRST00aBcDeFgH',
  publishable_key: 'pk_test_51Nq8cKJx2Zr0aBcDeFgHiJkLmNoPqRsTuVwXyZ9876543210zyxwvuTSRQPONmlkjIH00zYxWvU',
  mapboxToken: 'pk.eyJ1Ijoic2hvcC13ZWIiLCJhIjoiY2x4OWs3dDQ1MDJ0cjJrcGR1bXZ5ZmU2eSJ9.Qm3Xc9vTz2LpWk8Rf4sYhA',
  api_key: 'pk.eyJ1Ijoic2hvcC13ZWIiLCJhIjoiY2x4OWs3dDQ1MDJ0cjJrcGR1bXZ5ZmU2eSJ9.Zp7Tb2QwLm5Nc8Vd1Ks3Ry',
  public_key: 'BM7k1pQe3xZ9wV2rT5yU8iO0pA4sD6fG1hJ3kL5zX7cV9bN2mQ4wE6rT8yU0iO2pA4sD6fG8hJ0kL2zX4cV6bN8m',
};

export const stripe = loadStripe(config.stripeKey);
