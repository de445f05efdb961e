// Tailwind 4 runs as a single PostCSS plugin; no tailwind.config is needed.
export const config = {
  plugins: { '@tailwindcss/postcss': {} },
};

export default config;
