import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'BGP Observatory',
  description: 'Live BGP routing updates from RIPE RIS Live: control plane visibility for operators.',
};

export const viewport: Viewport = {
  themeColor: '#080b10',
  colorScheme: 'dark',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" className="dark">
      <body className="min-h-screen antialiased">{children}</body>
    </html>
  );
}
